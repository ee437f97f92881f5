import './base.css';
import './finetunes.css';
